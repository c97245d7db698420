// The page without WebGPU (chromium started with --disable-webgpu): the CPU fallback.
import { pageTests } from './suite.mjs';

pageTests('cpu');
