import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/**
 * The gateway is the app's only backend: in development (`npm start`) and in the browser tests
 * (`vite preview`) the app's origin proxies GraphQL, SSE and Socket.IO to it, so the browser
 * sees one origin and no CORS is involved. GATEWAY_URL says where the gateway is.
 */
export function gatewayProxy(target: string): Record<string, ProxyOptions> {
  return {
    '/graphql/stream': { target, changeOrigin: true },
    '/graphql': { target, changeOrigin: true },
    '/socket.io': { target, changeOrigin: true, ws: true },
  };
}

const gateway = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, host: '127.0.0.1', proxy: gatewayProxy(gateway) },
  preview: { port: 4173, host: '127.0.0.1', proxy: gatewayProxy(gateway) },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 600 },
});
