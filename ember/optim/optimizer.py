"""The Optimizer base: param_groups, state, state_dict, hooks."""


class Optimizer:
    pass
