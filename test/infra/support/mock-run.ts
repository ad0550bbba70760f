import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../../infra/config.js";
import { runStack, type RunOptions } from "../../../infra/program.js";
import type { ProgramSources } from "../../../infra/sources.js";

/**
 * Runs the real Pulumi program in-process under `pulumi.runtime.setMocks`: a fresh mock
 * monitor per run, the stack config set as the engine would, and the previous run's
 * outputs served to the program's StackReference. Returns every registered resource by
 * URN and the stack outputs.
 */
export interface MockResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** The `protect` resource option as registered. */
  protect: boolean;
  inputs: Record<string, unknown>;
}

export interface MockRun {
  resources: Map<string, MockResource>;
  outputs: Record<string, unknown>;
  stackReferenceName: string | undefined;
}

export interface MockRunOptions {
  stack: string;
  config: Record<string, string>;
  secretKeys?: string[];
  /** Outputs of the previous run, served through the StackReference; undefined = first run. */
  previousOutputs?: Record<string, unknown>;
  /** In-memory inputs; absent: the program reads what the stack config names, as `pulumi up` does. */
  sources?: (config: StackConfig) => ProgramSources;
  subscriptionSources?: RunOptions["subscriptionSources"];
}

/** Runs a program expected to fail; returns its error and how many resources it registered first. */
export async function runExpectingFailure(options: MockRunOptions): Promise<{ error: Error; registered: number }> {
  const registered: string[] = [];
  try {
    await runWithMocks(options, registered);
  } catch (error) {
    // Registrations are asynchronous: let any in flight land before counting them.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { error: error as Error, registered: registered.length };
  }
  throw new Error("the program was expected to fail but succeeded");
}

export async function runWithMocks(options: MockRunOptions, seen: string[] = []): Promise<MockRun> {
  const registered: Array<{ type: string; name: string; custom: boolean; inputs: Record<string, unknown> }> = [];
  let stackReferenceName: string | undefined;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === "pulumi:pulumi:StackReference") {
          stackReferenceName = args.inputs.name as string;
          return { id: String(args.inputs.name), state: { name: args.inputs.name, outputs: options.previousOutputs ?? {} } };
        }
        seen.push(`${args.type}::${args.name}`);
        registered.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}_id`, state: args.inputs };
      },
      call() {
        return {};
      },
    },
    "domaines",
    options.stack,
    false,
    "organization",
  );
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
  // The mock monitor does not hand resource options to newResource: read `protect` off the request itself.
  const protects = new Map<string, boolean>();
  const mockMonitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: { getType(): string; getName(): string; getProtect(): boolean }, cb: unknown): unknown };
  const register = mockMonitor.registerResource.bind(mockMonitor);
  mockMonitor.registerResource = (req, cb) => {
    protects.set(`${req.getType()}::${req.getName()}`, req.getProtect() === true);
    return register(req, cb);
  };
  const outputs = await runStack({
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.subscriptionSources ? { subscriptionSources: options.subscriptionSources } : {}),
  });
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

  // URNs as the engine forms them (the mock monitor's own map has them too).
  const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, { urn: string }> };
  const resources = new Map<string, MockResource>();
  const byName = new Map(registered.map((r) => [`${r.type}::${r.name}`, r]));
  for (const urn of monitor.resources.keys()) {
    const parts = urn.split("::");
    const type = parts[2]!.split("$").pop()!;
    const name = parts.slice(3).join("::");
    const r = byName.get(`${type}::${name}`);
    if (!r) continue; // the StackReference
    resources.set(urn, { urn, type, name, custom: r.custom, protect: protects.get(`${type}::${name}`) ?? false, inputs: r.inputs });
  }
  if (resources.size !== registered.length) {
    throw new Error(`mock run: ${registered.length} resources registered but ${resources.size} URNs found (duplicate logical names?)`);
  }
  return { resources, outputs, stackReferenceName };
}
