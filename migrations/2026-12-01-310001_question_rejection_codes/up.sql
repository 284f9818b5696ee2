-- Why a question was rejected, from the documented list
-- (crate::domain::question::RejectionCode), beside the free-text reason. Questions
-- rejected before the list existed keep a null code: nobody recorded which ground
-- applied, and guessing one would put words in the secretariat's mouth.
ALTER TABLE questions
    ADD COLUMN rejection_reason_code text
        CHECK (rejection_reason_code IN ('operational_matter', 'individual_complaint',
                                         'defamatory_or_vexatious', 'outside_remit',
                                         'late', 'over_the_limit')),
    ADD CONSTRAINT questions_rejection_reason_code_only_when_rejected
        CHECK (rejection_reason_code IS NULL OR status = 'rejected');
