DROP TABLE question_follow_tokens;
