// The shapes the kernel sends, typed for the editor (JSDoc, as @anywidget/types describes).

/**
 * @typedef {object} Grad
 * @property {number[]} shape
 * @property {string} dtype
 * @property {string} device
 * @property {unknown} [preview] values of a small CPU grad
 */

/**
 * @typedef {object} Row one tensor; the keys are fixed (see the README)
 * @property {string} name
 * @property {string[]} aliases
 * @property {number[] | null} shape
 * @property {string | null} dtype
 * @property {string | null} type
 * @property {string | null} device
 * @property {boolean | null} requires_grad
 * @property {boolean | null} is_leaf
 * @property {string | null} grad_fn
 * @property {Grad | null} grad
 * @property {number | null} numel
 * @property {number | null} nbytes
 * @property {number | null} storage_nbytes
 * @property {boolean | null} is_view
 * @property {unknown} preview values of a small CPU tensor, or an error row's reason
 * @property {"new" | "changed" | "" | "error"} status
 * @property {string | null} [unreadable] why its values cannot be read (a freed storage)
 * @property {boolean | null} [graph_freed] backward() freed the graph behind it (null without a graph)
 * @property {{placements: string[], mesh: {device_type: string, shape: number[], dim_names: string[] | null}, local_shape: number[]} | null} [dtensor]
 *   a DTensor's placements, mesh and this rank's local shape (shape is the global one)
 */

/**
 * @typedef {object} Devices
 * @property {boolean} available
 * @property {string} [type]
 * @property {number} [count]
 * @property {{device: string, name?: string, memory_allocated?: number | null}[]} [devices]
 * @property {string[]} [targets] where a tensor can be moved
 */

/**
 * @typedef {object} Flag a blocked cross-device operation, and its fix
 * @property {string} [text]
 * @property {string | null} [name]
 * @property {string | null} [device]
 */

/**
 * @typedef {object} ModuleLine
 * @property {string} name
 * @property {string} type
 * @property {string[]} devices
 * @property {Record<string, number>} [device_counts] how many of its tensors are on each device
 * @property {number} tensors
 * @property {boolean} [fully_shard] whether FSDP2's fully_shard sharded it
 */

/**
 * @typedef {object} Model the panel's synced traits
 * @property {Devices} devices
 * @property {Record<string, number>} truncated
 * @property {ModuleLine[]} modules
 * @property {Flag} flag
 * @property {{text?: string, level?: string, serial?: number}} message
 * @property {Placement} placement
 */

/**
 * @typedef {object} Placement where the panel is (placement.py)
 * @property {"inline" | "asked" | "docking" | "side" | "closed" | "unsupported"} state
 * @property {string} [note] why it stays in the cell
 * @property {string} [box] the model id of the sidebar box holding a docked panel
 */

/**
 * @typedef {object} Reply what a command answers the view that asked
 * @property {boolean} ok
 * @property {string} [text]
 * @property {"info" | "warning" | "error"} level
 * @property {Row[]} [rows]
 */

/** @typedef {{target: string | null}} MoveContext where "move" sends tensors, if anywhere */

export {};
