export { compileCondition, type Predicate } from './compile';
export { DURATION_PATTERN, parseDuration } from './duration';
export {
  createRulesEngine,
  type EngineDependencies,
  type Evaluation,
  formatReason,
  type Hit,
  parseReason,
  type RulesEngine,
} from './engine';
export {
  extractFeatures,
  type Features,
  resolveFeature,
  STATIC_FEATURES,
  VELOCITY_DIMENSIONS,
  VELOCITY_EVENTS,
  type VelocityDimension,
} from './features';
export { normalizeIp, parseIpRange } from './ip';
export { CompiledList, type ListHit, type ListKind, type ListSetInput, listSetSchema } from './lists';
export {
  listSetsOf,
  type MerchantConfig,
  type MerchantConfigSource,
  storeMerchantConfig,
} from './merchant-config';
export {
  type AntifraudOptions,
  antifraudOptionsSchema,
  type ParsedAntifraudOptions,
  parseAntifraudOptions,
  type VelocityLimit,
  velocityLimitSchema,
} from './options';
export { antifraud } from './plugin';
export {
  ACTIONS,
  type Condition,
  type ConditionInput,
  conditionSchema,
  DEFAULT_SCORE,
  formatIssues,
  OPERATORS,
  type Operator,
  parseRules,
  type Rule,
  type RuleAction,
  type RuleInput,
  ruleSchema,
  ruleSetSchema,
} from './rule-schema';
export { type StoreVelocityOptions, StoreVelocitySource } from './store-velocity';
export {
  type InMemoryVelocityOptions,
  InMemoryVelocitySource,
  type VelocityEvent,
  type VelocityQuery,
  type VelocityRecord,
  type VelocitySource,
} from './velocity';
