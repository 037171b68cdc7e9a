import basicSsl from '@vitejs/plugin-basic-ssl';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { lanQrPlugin } from './dev/lan-qr-plugin.ts';

// The backend's default HOST/PORT (packages/backend/src/config.ts); API_PROXY_TARGET points the dev
// server at another one. This is the only place the scanner reads the environment.
const api = { '/api': { target: process.env.API_PROXY_TARGET ?? 'http://127.0.0.1:3000' } };

export default defineConfig({
  // HTTPS with a self-signed certificate: a phone's browser only opens the camera in a secure context.
  plugins: [react(), basicSsl(), lanQrPlugin()],
  server: { host: true, port: 5173, proxy: api },
  preview: { host: true, port: 4173, proxy: api },
  // the manifest tells test/bundle-size.test.ts which files a staff phone loads first; source maps
  // are written for error trackers but not referenced from the bundle ('hidden'), and the backend
  // never serves *.map files from STATIC_DIR
  build: { target: 'es2022', sourcemap: 'hidden', manifest: true },
});
