import 'reflect-metadata';
import { runService } from '@custody/platform';
import { createApp } from './app';
import { AuditConfig } from './config';

void runService('audit', AuditConfig, createApp);
