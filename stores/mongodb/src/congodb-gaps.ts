/**
 * Store contract cases the in-process CongoDB server (`@push.rocks/smartmongo` 2.2.0) cannot honour,
 * with the reason printed when each is skipped. Against a real MongoDB (`PAYRAIL_TEST_MONGODB_URL`)
 * nothing is skipped. Keep this list and the package README's list the same.
 */
export const CONGODB_CONTRACT_SKIPS: Record<string, string> = {};
