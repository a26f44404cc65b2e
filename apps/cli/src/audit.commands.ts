/** The auditors' commands: verify, export, report. */
export const auditCommands = {
  names: [] as string[],
  usage: '',
  async run(_command: string, _argv: string[]): Promise<number> {
    return 2;
  },
};
