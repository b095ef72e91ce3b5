"""Adapters of core's ports to outside services: Claude (captions, ad scripts), ElevenLabs
and espeak-ng (the promo's voice). The composition root and the promo steps plug them in."""
