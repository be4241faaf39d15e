// `@csess/scheduler/testing`: virtual time and seeded randomness for tests and benchmarks.
export { FakeClock } from "./clock.js";
export { seededRandom } from "./random.js";
