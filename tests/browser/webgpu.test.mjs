// The page with WebGPU (chromium's SwiftShader adapter, --enable-unsafe-webgpu).
import { pageTests } from './suite.mjs';

pageTests('webgpu');
