"""The embedded models, trained here and committed under ``models/``, and their code: the MNIST DDPM's pipeline
(:mod:`.pipeline`), loading and sampling helpers (:mod:`.sampling`), the data (:mod:`.mnist`, :mod:`.emoji`, fetched
at training time only), their evaluation (:mod:`.evaluation`, :mod:`.emoji_eval`), the demos (:mod:`.demo_emoji`,
:mod:`.demo_digits`) and the paper's tables on them (:mod:`.bench`). A library user needs none of this."""
