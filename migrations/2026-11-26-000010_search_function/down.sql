DROP FUNCTION search_hits(text, text[], boolean, real, text, uuid, bigint, bigint, bigint);
