"""A cross-encoder reranker for code search: the span reader (model.SpanReader) reads
`[bos] question [sep] candidate [eos]` and its has-answer logit scores the candidate."""
