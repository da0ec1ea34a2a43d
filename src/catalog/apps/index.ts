// The catalog: one file per app, listed here in name order.
import type { CatalogApp } from "../app.js";
import { zeroX0 } from "./0x0.js";
import { apprise } from "./apprise.js";
import { atuin } from "./atuin.js";
import { etherpad } from "./etherpad.js";
import { forgejo } from "./forgejo.js";
import { freshrss } from "./freshrss.js";
import { grafana } from "./grafana.js";
import { homeAssistant } from "./home-assistant.js";
import { homepage } from "./homepage.js";
import { immich } from "./immich.js";
import { influxdb } from "./influxdb.js";
import { jellyfin } from "./jellyfin.js";
import { keycloak } from "./keycloak.js";
import { n8n } from "./n8n.js";
import { nextcloud } from "./nextcloud.js";
import { octoprint } from "./octoprint.js";
import { ollama } from "./ollama.js";
import { paperlessNgx } from "./paperless-ngx.js";
import { pihole } from "./pihole.js";
import { postgres } from "./postgres.js";
import { redis } from "./redis.js";
import { softServe } from "./soft-serve.js";
import { syncthing } from "./syncthing.js";
import { uptimeKuma } from "./uptime-kuma.js";
import { vaultwarden } from "./vaultwarden.js";
import { wallabag } from "./wallabag.js";

export const apps: readonly CatalogApp[] = [
  zeroX0, apprise, atuin, etherpad, forgejo, freshrss, grafana, homeAssistant, homepage, immich, influxdb, jellyfin, keycloak,
  n8n, nextcloud, octoprint, ollama, paperlessNgx, pihole, postgres, redis, softServe, syncthing, uptimeKuma, vaultwarden, wallabag,
];
