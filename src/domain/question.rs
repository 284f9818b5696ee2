//! Public questions to the Commissioner, and the Commissioner's responses.

crate::typed_id!(
    /// The id of a question.
    QuestionId
);

crate::typed_id!(
    /// The id of a response.
    ResponseId
);

crate::text_enum!(
    /// Who asked.
    AskerKind {
        /// A member of the public.
        MemberOfPublic => "member_of_public",
        /// A member of the panel.
        PanelMember => "panel_member",
    }
);

crate::text_enum!(
    /// Where a question is in its life.
    QuestionStatus {
        /// Received; not yet public.
        Submitted => "submitted",
        /// Accepted by the secretariat for a meeting; public.
        Accepted => "accepted",
        /// A response has been published; public. Stays answered.
        Answered => "answered",
        /// Not accepted (the reason is recorded); not public.
        Rejected => "rejected",
        /// Withdrawn by the asker or the secretariat; not public.
        Withdrawn => "withdrawn",
    }
);

impl QuestionStatus {
    /// Whether a question in this state may move to `next`.
    pub fn can_become(self, next: QuestionStatus) -> bool {
        use QuestionStatus::*;
        matches!(
            (self, next),
            (Submitted, Accepted)
                | (Submitted, Rejected)
                | (Submitted, Withdrawn)
                | (Accepted, Withdrawn)
                | (Submitted, Answered)
                | (Accepted, Answered)
        )
    }

    /// Public questions are visible to anonymous callers.
    pub fn is_public(self) -> bool {
        matches!(self, QuestionStatus::Accepted | QuestionStatus::Answered)
    }
}

crate::text_enum!(
    /// How a response was given.
    ResponseKind {
        Written => "written",
        Verbal => "verbal",
    }
);

crate::text_enum!(
    /// Whether a response is public.
    ResponseStatus {
        /// Being written; visible to staff only.
        Draft => "draft",
        /// Public; changed only by a correction with a note.
        Published => "published",
    }
);

#[cfg(test)]
mod tests {
    use super::QuestionStatus::*;

    #[test]
    fn an_answered_question_stays_answered() {
        for next in super::QuestionStatus::ALL {
            assert!(!Answered.can_become(*next), "answered → {next}");
        }
    }

    #[test]
    fn only_submitted_or_accepted_questions_can_be_withdrawn() {
        assert!(Submitted.can_become(Withdrawn) && Accepted.can_become(Withdrawn));
        assert!(!Rejected.can_become(Withdrawn) && !Answered.can_become(Withdrawn));
    }

    #[test]
    fn only_submitted_questions_can_be_accepted_or_rejected() {
        assert!(Submitted.can_become(Accepted) && Submitted.can_become(Rejected));
        assert!(!Accepted.can_become(Rejected) && !Withdrawn.can_become(Accepted));
    }
}
