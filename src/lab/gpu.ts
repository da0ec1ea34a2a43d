// GPUs: which vendors' GPUs the cluster offers to pods, and as which extended resource. A GPU counts
// only where a device plugin advertises it: Drover renders NVIDIA's (the nvidia-device-plugin chart,
// checked by helm template + kubeconform like the rest of the platform) with the `nvidia` RuntimeClass
// that Talos's nvidia-container-toolkit extension and k3s (on finding nvidia-container-runtime) register.
// AMD's and Intel's device plugins are not rendered, so their GPUs stay invisible to the scheduler.
export type GpuVendor = "nvidia" | "amd" | "intel";

export interface GpuSupport {
  /** the extended resource a pod asks for */
  readonly resource: string;
  /** Drover renders the device plugin that advertises it */
  readonly advertised: boolean;
  /** the RuntimeClass GPU pods run with (its handler is the runtime the node's toolkit registers) */
  readonly runtimeClass: string | undefined;
}

export const GPU_SUPPORT: Readonly<Record<GpuVendor, GpuSupport>> = {
  nvidia: { resource: "nvidia.com/gpu", advertised: true, runtimeClass: "nvidia" },
  amd: { resource: "amd.com/gpu", advertised: false, runtimeClass: undefined },
  intel: { resource: "gpu.intel.com/i915", advertised: false, runtimeClass: undefined },
};

/** The resource and runtime class a GPU app's pods use: the one vendor the cluster advertises. */
export const GPU_RESOURCE = GPU_SUPPORT.nvidia.resource;
export const GPU_RUNTIME_CLASS = GPU_SUPPORT.nvidia.runtimeClass!;

/** The node label naming the vendor of the GPUs a node has (set only on nodes that have them). */
export const GPU_LABEL = "drover.dev/gpu";
