/** Whether `error` is an import's failure to find `packageName` (an optional peer that is not installed). */
export function isMissingPackage(error: unknown, packageName: string): boolean {
  const { code, message = '' } = (error ?? {}) as { code?: string; message?: string };
  return code === 'ERR_MODULE_NOT_FOUND' && message.includes(packageName);
}
