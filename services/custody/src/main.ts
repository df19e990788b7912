import 'reflect-metadata';
import { runService } from '@custody/platform';
import { createApp } from './app';
import { CustodyConfig } from './config';

void runService('custody', CustodyConfig, createApp);
