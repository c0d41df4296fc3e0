import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DynamoEventStoreModuleOptions } from './dynamo-event-store-options.js';

export const {
  ConfigurableModuleClass: ConfigurableDynamoEventStoreModule,
  MODULE_OPTIONS_TOKEN: DYNAMO_EVENT_STORE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DynamoEventStoreModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDynamoEventStoreOptions')
  .build();
