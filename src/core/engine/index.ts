// The local Elasticsearch engine for tests and the demo (docs/elasticsearch-engine.md).
export { checkJava, EngineError, engineBuild, findEngineProject, NO_ENGINE_HINT, SETUP_COMMAND, type EngineBuild } from './build';
export { DEFAULT_HEAP, defaultStateRoot, freePort, parseHeap, startEngine, stateDirFor, stopEngine, type RunningEngine, type StartOptions } from './node';
export { createIndexBody, seed, seedIndices, type SeededIndex } from './seed';
