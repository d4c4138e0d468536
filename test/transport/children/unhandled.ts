// A program that forgets to handle a failed call, against a server that echoes the token: Node
// then prints the rejection itself (util.inspect of the error) and exits with code 1. The parent
// test (../hostile.test.ts) reads that printout.
import { Propexo } from "../../../src/index.js";
import { nodeTransport } from "../../../src/node.js";

const transport = process.env.TRANSPORT === "node" ? nodeTransport() : {};
const propexo = new Propexo({ token: process.env.TOKEN!, baseUrl: process.env.BASE_URL!, logLevel: "off", maxRetries: 0, ...transport });
// Not awaited and not caught, on purpose.
void propexo.writes.status("job_1").then(() => console.log("resolved"));
