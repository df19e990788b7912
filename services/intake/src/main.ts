import 'reflect-metadata';
import { runService } from '@custody/platform';
import { createApp } from './app';
import { IntakeConfig } from './config';

void runService('intake', IntakeConfig, createApp);
