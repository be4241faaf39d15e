export type { Task, TaskDetail } from "./model.js";
export { PrdError, UnknownTaskIdError } from "./errors.js";
export { parsePrd, setTaskChecked } from "./edit.js";
