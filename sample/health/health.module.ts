import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthModule } from 'nestjs-dynamo-es/health';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule, EventStoreHealthModule],
  controllers: [HealthController],
})
export class HealthModule {}
