export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** Reads "28.5.2+dfsg4", "v2.40.3-3", "1.29.2" and the like. */
export function parseVersion(text: string): Version | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    text: text.trim().replace(/^v/, ''),
  };
}

export function atLeast(version: Version, major: number, minor = 0, patch = 0): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}
