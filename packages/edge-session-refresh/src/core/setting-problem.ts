/** One thing wrong with the settings: the environment variable it concerns, and what is wrong with it. */
export interface SettingProblem {
  readonly setting: string;
  readonly message: string;
}
