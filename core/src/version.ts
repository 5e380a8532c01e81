/** The version of @payrail/core that plugins' `coreRange` is checked against. Kept equal to package.json (tested). */
export const CORE_VERSION = '0.1.0';
