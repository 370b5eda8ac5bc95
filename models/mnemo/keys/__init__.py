"""Static keys: hashed identifier words and character 3-grams, a learned vector per bucket.

The segment and query key of the product when a model folder declares a `staticKeys` block.
`features.py` is mirrored exactly by `src/core/staticKeys.ts` (a parity test checks it).
"""
