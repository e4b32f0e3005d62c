"""Registry entries for shape and view ops."""
from . import ALL, OpInfo, SampleInput, T

OPS = [
    OpInfo("reshape", lambda d: [SampleInput(T((3, 4)), (2, 6)), SampleInput(T((3, 4)), (-1,)),
                                 SampleInput(T((3, 4), noncontig=True), (12,)),
                                 SampleInput(T(()), (1, 1)), SampleInput(T((0, 3)), (3, 0))],
           dtypes=ALL, method="reshape"),
    OpInfo("transpose", lambda d: [SampleInput(T((3, 4)), 0, 1), SampleInput(T((2, 3, 4)), -1, 0),
                                   SampleInput(T(()), 0, -1)], dtypes=ALL, method="transpose",
           aliases=("swapaxes", "swapdims")),
]
