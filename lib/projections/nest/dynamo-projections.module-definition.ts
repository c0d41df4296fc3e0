import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DynamoProjectionsModuleOptions } from './dynamo-projections-options.js';

export const {
  ConfigurableModuleClass: ConfigurableDynamoProjectionsModule,
  MODULE_OPTIONS_TOKEN: DYNAMO_PROJECTIONS_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DynamoProjectionsModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDynamoProjectionsOptions')
  .build();
