DROP TABLE api_clients;
DROP TABLE users;
