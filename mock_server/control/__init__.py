"""The mock's control plane: state, snapshots, journal and faults under /__mock/."""
