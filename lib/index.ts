export * from './framework-free.js';
export * from './nest/index.js';
