export { parseAllocationNotice, maxNoticeLines } from './parse-allocation-notice';
export type { NoticeImportOptions, ParsedNotice } from './parse-allocation-notice';
export { NoticeImportError } from './notice-report';
export type { NoticeProblem, NoticeWarning } from './notice-report';
export { currentRegionCode, regionRenames } from './region-aliases';
export type { RegionRename } from './region-aliases';
