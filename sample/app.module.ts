import { Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventStoreModule } from 'nestjs-dynamo-es';
import { DynamoProjectionsModule } from 'nestjs-dynamo-es/projections';
import { AccountsModule } from './accounts/accounts.module.js';
import { eventStoreOptions, projectionsOptions } from './event-store.config.js';
import { HealthModule } from './health/health.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    CqrsModule.forRoot(),
    DynamoEventStoreModule.forRootAsync({ inject: [ConfigService], useFactory: eventStoreOptions }),
    DynamoProjectionsModule.forRootAsync({
      inject: [ConfigService],
      useFactory: projectionsOptions,
    }),
    AccountsModule,
    HealthModule,
  ],
  providers: [
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }),
    },
  ],
})
export class AppModule {}
