/** The settings page's server-side answers: the schedule right now, and renderings of a draft reply. */
import { previewRenderings, scheduleNow, type PreviewSender, type ScheduleNow } from '../domain/settings-preview.js';
import type { Random } from '../domain/random.js';
import type { InstanceDoc } from '../store/repositories/instances.js';

export class SettingsPreviewService {
  constructor(
    private readonly clock: () => number,
    private readonly random: Random = Math.random,
  ) {}

  /** With the instance's stored settings, at this minute. */
  scheduleNow(instance: InstanceDoc): ScheduleNow & { checked_at: string } {
    const now = this.clock();
    return { ...scheduleNow(instance.settings, now), checked_at: new Date(now).toISOString() };
  }

  renderings(instance: InstanceDoc, text: string, sender: PreviewSender, count: number): string[] {
    return previewRenderings(text, instance.settings, sender, this.clock(), this.random, count);
  }
}
