// Every upstream Helm chart the platform installs: the pins live in the versions table
// (versions/defaults.ts), overridable per lab (versions.yaml); the renderer reads lab.versions.charts.
export type { Chart, ChartName, HelmRepo, OciRepo } from "../../versions/defaults.js";
export { DEFAULT_CHARTS as CHARTS } from "../../versions/defaults.js";
