export type { Task, TaskDetail } from "./model.js";
export { PrdError, UnknownTaskIdError } from "./errors.js";
export { parsePrd, setTaskChecked } from "./edit.js";
export { describeTasks } from "./describe.js";
export { updatePrdFile, type UpdatePrdOptions } from "./file.js";
export { ID_PATTERN } from "./ids.js";
export { findTask } from "./lookup.js";
