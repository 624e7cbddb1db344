import { Command, Option } from "commander";
import {
  couponPutCommand,
  listCommand,
  publishCommand,
  quoteCommand,
  settleCommand,
  showCommand,
  UsageError,
} from "./commands.js";
import { type CarfareConfig, loadConfig } from "./config.js";
import { migrateAll, openCarfareDatabase } from "./database.js";
import { policyListCommand, policyPublishCommand, policyShowCommand } from "./policy-commands.js";
import { ApiError } from "./pricing-api.js";
import { SERVICES, type ServiceName, serve } from "./serve.js";

function apiOptions(command: Command): Command {
  return command
    .option("--server <host:port>", "pricing service address (default 127.0.0.1:$CARFARE_PRICING_PORT)")
    .option("--token <token>", "admin token (default $CARFARE_ADMIN_TOKEN, else the demo token in $CARFARE_DATA_DIR)");
}

/** Builds the `carfare` command; each subcommand is wired to the services in one place. */
export function buildProgram(
  config: () => CarfareConfig = () => loadConfig(),
  print: (text: string) => void = console.log,
): Command {
  const program = new Command("carfare")
    .description("carfare: the pricing back office of a car-sharing company")
    .showHelpAfterError()
    .addHelpText(
      "after",
      "\nConfiguration comes from the environment (DATABASE_URL, CARFARE_DATA_DIR, CARFARE_PRICING_PORT, …); see the README.",
    );

  program
    .command("serve")
    .description("run the services (all, or one of them) until SIGTERM/SIGINT")
    .addArgument(new Command().createArgument("[service]", "which service to run").choices(SERVICES).default("all"))
    .option("--seed", "publish the example tariffs when the database has none (always done on the embedded database)")
    .action(async (service: ServiceName, options: { seed?: boolean }) => {
      await serve(config(), service, { seed: options.seed === true });
    });

  program
    .command("migrate")
    .description("apply the database migrations of every context, then exit")
    .action(async () => {
      const database = await openCarfareDatabase(config(), "migrate");
      try {
        await migrateAll(database.handle);
        print(`migrated ${database.where}`);
      } finally {
        await database.close();
      }
    });

  const tariff = program
    .command("tariff")
    .description("publish and read tariffs (through the pricing service's admin API)");
  apiOptions(
    tariff
      .command("publish")
      .description("validate a tariff document (YAML or JSON) and publish it as the next version")
      .argument("<file>"),
  ).action(async (file: string, options) => print(await publishCommand(config(), file, options)));
  apiOptions(
    tariff
      .command("list")
      .description("list the published versions (of one tariff, or of all)")
      .argument("[tariff-id]")
      .option("--json", "print JSON"),
  ).action(async (id: string | undefined, options) => print(await listCommand(config(), id, options)));
  apiOptions(
    tariff
      .command("show")
      .description("print a published version's document (the newest unless --version)")
      .argument("<tariff-id>")
      .option("--version <n>", "version number")
      .option("--json", "print the document as JSON"),
  ).action(async (id: string, options) => print(await showCommand(config(), id, options)));

  const waiverOptions = (command: Command) =>
    command
      .option("--waiver-server <url>", "damage-waiver service URL (default http://127.0.0.1:$CARFARE_WAIVER_PORT)")
      .option(
        "--token <token>",
        "admin token (default $CARFARE_ADMIN_TOKEN, else the demo token in $CARFARE_DATA_DIR)",
      );
  const policy = program
    .command("policy")
    .description("publish and read waiver policies (through the damage-waiver admin API)");
  waiverOptions(
    policy
      .command("publish")
      .description("validate a waiver policy document (YAML or JSON) and publish it")
      .argument("<file>"),
  ).action(async (file: string, options) => print(await policyPublishCommand(config(), file, options)));
  waiverOptions(
    policy
      .command("list")
      .description("list published versions (of one policy, or of all)")
      .argument("[policy-id]")
      .option("--json", "print JSON"),
  ).action(async (id: string | undefined, options) => print(await policyListCommand(config(), id, options)));
  waiverOptions(
    policy
      .command("show")
      .description("print a published version's document (the newest unless --version)")
      .argument("<policy-id>")
      .option("--version <n>", "version number")
      .option("--json", "print the document as JSON"),
  ).action(async (id: string, options) => print(await policyShowCommand(config(), id, options)));

  const coupon = program.command("coupon").description("manage coupons (through the admin API)");
  apiOptions(
    coupon.command("put").description("create or replace a coupon from a YAML or JSON file").argument("<file>"),
  ).action(async (file: string, options) => print(await couponPutCommand(config(), file, options)));

  apiOptions(
    program
      .command("quote")
      .description("price a rental through the pricing service and print its lines")
      .requiredOption("--market <market>", "market, e.g. kr")
      .requiredOption("--model <car-model-id>", "car model id, e.g. sonata-dn8")
      .requiredOption("--from <time>", 'start: 2026-11-28T10:00+09:00, or a local "2026-11-28 10:00"')
      .requiredOption("--to <time>", "end, same forms as --from")
      .option("--member <tier>", "member tier, e.g. PASSPORT")
      .option("--coupon <code>", "coupon code")
      .option("--delivery", "deliver the car")
      .option("--km <km>", "estimated distance in km")
      .option("--explain", "show how the rental fee was computed, window by window")
      .option("--json", "print the raw response as JSON")
      .addOption(new Option("--tz <zone>", "time zone for local times and the output (default: this machine's)")),
  ).action(async (options) => {
    if (options.tz !== undefined) process.env.TZ = options.tz;
    print(await quoteCommand(config(), options));
  });

  apiOptions(
    program
      .command("settle")
      .description("settle a returned rental from its quote token")
      .requiredOption("--quote-token <token>", "the token of the quote being settled")
      .requiredOption("--returned-at <time>", "when the car came back")
      .option("--km <km>", "driven km")
      .option("--json", "print the raw response as JSON"),
  ).action(async (options) => print(await settleCommand(config(), options)));

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof ApiError) {
      console.error(
        `${error.reason}: ${error.message.startsWith(error.reason) ? error.message.slice(error.reason.length + 2) : error.message}`,
      );
      process.exitCode = 1;
    } else if (error instanceof UsageError) {
      console.error(`usage: ${error.message}`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  }
}
