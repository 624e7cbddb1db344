import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("leaves error alerts to Slack off unless CARFARE_SLACK_WEBHOOK_URL is set", () => {
    expect(loadConfig({}).slackWebhookUrl).toBeUndefined();
    expect(loadConfig({ CARFARE_SLACK_WEBHOOK_URL: "" }).slackWebhookUrl).toBeUndefined();
    const url = "https://hooks.slack.com/services/T000/B000/abc";
    expect(loadConfig({ CARFARE_SLACK_WEBHOOK_URL: url }).slackWebhookUrl).toBe(url);
  });

  it("refuses a CARFARE_SLACK_WEBHOOK_URL that is not an http(s) URL, naming the variable but not its value", () => {
    for (const value of ["hooks.slack.com/services/T000/B000/s3cr3t", "ftp://hooks.example/s3cr3t"]) {
      expect(() => loadConfig({ CARFARE_SLACK_WEBHOOK_URL: value })).toThrow(/^CARFARE_SLACK_WEBHOOK_URL must be/);
      expect(() => loadConfig({ CARFARE_SLACK_WEBHOOK_URL: value })).not.toThrow(/s3cr3t/);
    }
  });
});
