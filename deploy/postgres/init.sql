-- One database per service: no service reads another's.
CREATE DATABASE intake;
CREATE DATABASE transfer;
CREATE DATABASE custody;
CREATE DATABASE audit;
