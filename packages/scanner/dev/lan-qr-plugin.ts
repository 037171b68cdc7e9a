// Dev only: after Vite prints its URLs, print a QR code of the LAN address, so a developer can open
// the scanner on a real phone (whose camera needs HTTPS, hence @vitejs/plugin-basic-ssl).
import QRCode from 'qrcode';
import type { Plugin } from 'vite';

export function lanQrPlugin(): Plugin {
  return {
    name: 'couponscan:lan-qr',
    apply: 'serve',
    configureServer(server) {
      const printUrls = server.printUrls.bind(server);
      server.printUrls = () => {
        printUrls();
        const url = server.resolvedUrls?.network[0];
        const log = (line: string) => {
          server.config.logger.info(line);
        };
        if (url === undefined) {
          log('  No LAN address found: connect this computer to the network the phone is on.');
          return;
        }
        QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })
          .then((qr) => {
            log(`\n  Scan to open ${url} on a phone on the same network`);
            log('  (accept the self-signed certificate warning once):\n');
            log(qr);
          })
          .catch((error: unknown) => {
            log(`  could not draw a QR code of ${url}: ${String(error)}`);
          });
      };
    },
  };
}
