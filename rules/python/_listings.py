"""Shared by the cloud rules: what a batch of deletes was listed from (`list_objects_v2`, `list_blobs`).

A delete fed by a listing of a whole bucket empties it: `s3.delete_objects(Delete={"Objects": [... for o
in resp["Contents"]]})` after `resp = s3.list_objects_v2(Bucket=b)`, or `blob.delete()` in a loop over
`bucket.list_blobs()`. The listing is found by following, a few steps back, the comprehension or loop
that produced the keys, the names bound once on the way (`resp`, `page`, `keys`) and the `.get(…)`,
`[…]` and attribute reads in between.
"""

from __future__ import annotations

import libcst as cst

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

# Listing calls, and the keyword that narrows them to a prefix.
LISTINGS = {
    "list_objects": "Prefix",
    "list_objects_v2": "Prefix",
    "list_object_versions": "Prefix",
    "paginate": "Prefix",
    "list_blobs": "prefix",
}
_STEPS = 8


def listing(node: cst.BaseExpression | None, call: Call, document: PythonDocument) -> cst.Call | None:
    """The listing call the values of `node` come from, if a few steps back lead to one."""
    for _ in range(_STEPS):
        if node is None:
            return None
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            if node.for_in.ifs:
                return None  # `… if o["LastModified"] < cutoff`: the keys are chosen, not the whole listing
            node = node.for_in.iter
        elif isinstance(node, cst.Call):
            function = node.func
            method = function.attr.value if isinstance(function, cst.Attribute) else ""
            if method in LISTINGS:
                return node
            if method in ("get", "all", "values") and isinstance(function, cst.Attribute):
                node = function.value  # `resp.get("Contents", [])`
            elif isinstance(function, cst.Name) and function.value in ("list", "tuple") and len(node.args) == 1:
                node = node.args[0].value
            else:
                return None
        elif isinstance(node, cst.Subscript):
            node = node.value  # `resp["Contents"]`
        elif isinstance(node, cst.Name):
            loop = document.model.loop_iterable(node, call)
            if loop is not None:
                node = loop[0]
                continue
            bound = document.model.binding(node, call.scope)
            node = bound[0] if bound is not None else None
        else:
            return None
    return None


def whole(listed: cst.Call, call: Call, document: PythonDocument) -> bool:
    """The listing is of everything: no prefix, or an empty one."""
    function = listed.func
    method = function.attr.value if isinstance(function, cst.Attribute) else ""
    prefix = next((a.value for a in listed.args if a.keyword is not None and a.keyword.value == LISTINGS[method]), None)
    if prefix is None:
        return True
    value = document.string(prefix, call)
    return value is not None and value.literal and not value.text
