import 'reflect-metadata';
import { runService } from '@custody/platform';
import { createApp } from './app';
import { TransferConfig } from './config';

void runService('transfer', TransferConfig, createApp);
