import { HASHED_ASSETS } from './assets.generated'

/**
 * The content-hashed URL of one of our own CSS or JS files (`/css/app.css` →
 * `/assets/css/app.<hash>.css`, served immutable by public/_headers). The map is generated
 * by scripts/hash-assets.mjs; a file it does not know keeps its plain path.
 */
export function asset(path: string): string {
  return HASHED_ASSETS[path] ?? path
}
