import { Injectable } from '@nestjs/common';
import type { ProjectionDefinition } from '../projection.js';
import { projectionDefinitionOf } from './projection.decorator.js';

/** Every projection provider registered with forFeature(), across the application's modules. */
@Injectable()
export class ProjectionCatalog {
  private readonly instances = new Set<object>();

  add(instances: readonly object[]): void {
    for (const instance of instances) this.instances.add(instance);
  }

  definitions(): ProjectionDefinition[] {
    return [...this.instances].map(projectionDefinitionOf);
  }
}
