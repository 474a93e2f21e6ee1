import type { ExportView } from '../data/views'
import type { MessageView } from '../messages/queries'

/**
 * What a write tells a member's hub (over RPC, so plain serializable data). The hub turns
 * each event into htmx out-of-band fragments for every socket it holds, in that socket's
 * language (see live/views.tsx).
 */
export type LiveEvent =
  /** The member's unread-messages count changed (a thread was read in another tab). */
  | { type: 'unread'; count: number }
  /** `from` sent the member a message: the badge, and the message for an open thread. */
  | {
      type: 'message'
      from: { id: number; username: string; email: string }
      message: MessageView
      unread: number
    }
  /** A message the member had received was deleted by its sender. */
  | { type: 'message-deleted'; messageId: number; unread: number }
  /** Someone the member follows posted: the "N new posts" bar on the home timeline. */
  | { type: 'post' }
  /** The member's own counts changed (a new follower): their profile's stats. */
  | {
      type: 'stats'
      user: { id: number; username: string; postCount: number; followerCount: number; followingCount: number }
    }
  /**
   * The member's data export moved (a chunk finished, it is done, or it failed): its status
   * fragment, for the sockets of pages that show that export (see `MemberHub`).
   */
  | { type: 'export'; job: ExportView }
