// Ships the bundled spec inside the package as `propexo-appointments/openapi.json`, so users can
// run a mock or a validator against exactly the version they installed. It sits at the package
// root (not in dist/) so that the subpath also resolves for tools that ignore the exports map.
import { copyFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
await copyFile(fileURLToPath(new URL("generated/openapi.json", root)), fileURLToPath(new URL("openapi.json", root)));
