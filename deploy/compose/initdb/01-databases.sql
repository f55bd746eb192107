-- One database per service (docker-compose.yml, postgres service). Runs once, on an empty volume.
CREATE DATABASE eldercare_intake;
CREATE DATABASE eldercare_assessment;
CREATE DATABASE eldercare_dispatch;
CREATE DATABASE eldercare_billing;
CREATE DATABASE eldercare_audit;
