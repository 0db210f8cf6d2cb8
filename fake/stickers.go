package fake

import (
	"context"
	"encoding/binary"
	"os"
	"slices"
	"strconv"

	"github.com/wabiz/wabiz/gen"
)

type stickerpack struct {
	id         string
	publisher  string
	name       string
	ios        *string
	android    *string
	stickers   []*sticker
	nextIndex  int
	firstParty bool
}

type sticker struct {
	index       string
	mediaID     string
	imageDataID string
	emojis      []string
}

// tinyWebP returns a small static WebP file (a RIFF/WEBP container with a VP8L chunk); its
// pixels do not matter to the fake, its media type and size do.
func tinyWebP(seed byte) []byte {
	payload := []byte{0x2f, 0x00, 0x00, 0x00, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, seed}
	chunk := append([]byte("VP8L"), make([]byte, 4)...)
	binary.LittleEndian.PutUint32(chunk[4:], uint32(len(payload)))
	chunk = append(chunk, payload...)
	if len(payload)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), make([]byte, 4)...)
	binary.LittleEndian.PutUint32(out[4:], uint32(4+len(chunk)))
	out = append(out, "WEBP"...)
	return append(out, chunk...)
}

// writeMediaLocked stores data as a media file of st; the caller holds s.mu (or owns st).
func (s *Server) writeMediaLocked(st *state, contentType, kind string, data []byte, builtin bool) (*mediaFile, error) {
	id := s.newUUID()
	path := s.mediaPath(id)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	m := &mediaFile{id: id, contentType: contentType, kind: kind, size: int64(len(data)), path: path,
		sha: sha256Hex(data), created: now, lastUsed: now, builtin: builtin}
	st.media[id] = m
	return m, nil
}

// seedFirstPartyPacks creates the read-only WhatsApp packs (namespace=whatsapp).
func (s *Server) seedFirstPartyPacks(st *state) {
	st.firstParty = map[string]*stickerpack{}
	st.firstOrder = nil
	packs := []struct{ id, name string }{
		{"7f8c2b1e-0d3a-4e5f-9a6b-1c2d3e4f5a6b", "Cuppy"},
		{"2a3b4c5d-6e7f-4a1b-8c2d-3e4f5a6b7c8d", "Salty"},
	}
	emojis := [][]string{{"\u2615"}, {"\U0001F600"}, {"\U0001F44D", "\u2764\ufe0f"}}
	for pi, p := range packs {
		pack := &stickerpack{id: p.id, publisher: "WhatsApp", name: p.name, firstParty: true}
		for i, e := range emojis {
			m, err := s.writeMediaLocked(st, "image/webp", "sticker", tinyWebP(byte(pi*10+i)), true)
			if err != nil {
				s.log.Warn("fake: cannot store a first-party sticker", "error", err)
				continue
			}
			pack.stickers = append(pack.stickers, &sticker{index: strconv.Itoa(i), mediaID: m.id, emojis: e})
			pack.nextIndex = i + 1
		}
		st.firstParty[pack.id] = pack
		st.firstOrder = append(st.firstOrder, pack.id)
	}
}

// packLocked finds a pack in a namespace; the caller holds s.mu.
func (s *Server) packLocked(id string, ns *gen.StickerpackNamespace) (*stickerpack, *apiError) {
	var p *stickerpack
	if ns != nil && *ns == gen.StickerpackNamespaceWhatsapp {
		p = s.st.firstParty[id]
	} else {
		p = s.st.packs[id]
	}
	if p == nil {
		return nil, errf(codeNotFound, "Stickerpack %s not found", id)
	}
	return p, nil
}

func (p *stickerpack) find(index string) *sticker {
	i := slices.IndexFunc(p.stickers, func(st *sticker) bool { return st.index == index })
	if i < 0 {
		return nil
	}
	return p.stickers[i]
}

func checkNamespace(ns *gen.StickerpackNamespace) *apiError {
	if ns != nil && !ns.Valid() {
		return errf(codeInvalidParameter, "Parameter 'namespace' must be whatsapp or third_party")
	}
	return nil
}

// ListStickerpacks lists the pack ids of a namespace.
func (s *Server) ListStickerpacks(_ context.Context, req gen.ListStickerpacksRequestObject) (gen.ListStickerpacksResponseObject, error) {
	if e := checkNamespace(req.Params.Namespace); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	order := s.st.packOrder
	if req.Params.Namespace != nil && *req.Params.Namespace == gen.StickerpackNamespaceWhatsapp {
		order = s.st.firstOrder
	}
	out := []gen.StickerpackID{}
	for _, id := range order {
		out = append(out, gen.StickerpackID{ID: id})
	}
	return gen.ListStickerpacks200JSONResponse{Body: gen.StickerpackIDsEnvelope{Stickerpacks: out, Meta: s.meta}}, nil
}

// CreateStickerpack creates an empty third-party pack.
func (s *Server) CreateStickerpack(_ context.Context, req gen.CreateStickerpackRequestObject) (gen.CreateStickerpackResponseObject, error) {
	b := req.Body
	if b == nil || b.Publisher == "" || b.Name == "" {
		return nil, errf(codeMissingParameter, "Parameters 'publisher' and 'name' are required")
	}
	for name, link := range map[string]*string{"ios_app_store_link": b.IosAppStoreLink, "android_app_store_link": b.AndroidAppStoreLink} {
		if link != nil && checkMediaURL(*link) != nil {
			return nil, errf(codeInvalidParameter, "Parameter '%s' must be an http(s) URL", name)
		}
	}
	id := s.newUUID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.packs[id] = &stickerpack{id: id, publisher: b.Publisher, name: b.Name, ios: b.IosAppStoreLink, android: b.AndroidAppStoreLink}
	s.st.packOrder = append(s.st.packOrder, id)
	return gen.CreateStickerpack200JSONResponse{Body: gen.StickerpackIDsEnvelope{Stickerpacks: []gen.StickerpackID{{ID: id}}, Meta: s.meta}}, nil
}

// GetStickerpack returns one pack (first-party packs carry publisher and name only).
func (s *Server) GetStickerpack(_ context.Context, req gen.GetStickerpackRequestObject) (gen.GetStickerpackResponseObject, error) {
	if e := checkNamespace(req.Params.Namespace); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, e := s.packLocked(req.PackID, req.Params.Namespace)
	if e != nil {
		return nil, e
	}
	out := gen.Stickerpack{Publisher: p.publisher, Name: p.name, IosAppStoreLink: p.ios, AndroidAppStoreLink: p.android}
	return gen.GetStickerpack200JSONResponse{Body: gen.StickerpackEnvelope{Stickerpacks: []gen.Stickerpack{out}, Meta: s.meta}}, nil
}

// UpdateStickerpack changes fields of a third-party pack.
func (s *Server) UpdateStickerpack(_ context.Context, req gen.UpdateStickerpackRequestObject) (gen.UpdateStickerpackResponseObject, error) {
	b := req.Body
	if b == nil || (b.Publisher == nil && b.Name == nil && b.IosAppStoreLink == nil && b.AndroidAppStoreLink == nil) {
		return nil, errf(codeInvalidParameter, "No valid parameters provided")
	}
	if (b.Publisher != nil && *b.Publisher == "") || (b.Name != nil && *b.Name == "") {
		return nil, errf(codeInvalidParameter, "Parameters 'publisher' and 'name' must not be empty")
	}
	for name, link := range map[string]*string{"ios_app_store_link": b.IosAppStoreLink, "android_app_store_link": b.AndroidAppStoreLink} {
		if link != nil && checkMediaURL(*link) != nil {
			return nil, errf(codeInvalidParameter, "Parameter '%s' must be an http(s) URL", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.packLocked(req.PackID, nil)
	if e != nil {
		return nil, e
	}
	if b.Publisher != nil {
		p.publisher = *b.Publisher
	}
	if b.Name != nil {
		p.name = *b.Name
	}
	if b.IosAppStoreLink != nil {
		p.ios = ptr(*b.IosAppStoreLink)
	}
	if b.AndroidAppStoreLink != nil {
		p.android = ptr(*b.AndroidAppStoreLink)
	}
	return gen.UpdateStickerpack200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DeleteStickerpack deletes a third-party pack and its stickers.
func (s *Server) DeleteStickerpack(_ context.Context, req gen.DeleteStickerpackRequestObject) (gen.DeleteStickerpackResponseObject, error) {
	s.mu.Lock()
	p, e := s.packLocked(req.PackID, nil)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	delete(s.st.packs, p.id)
	s.st.packOrder = slices.DeleteFunc(s.st.packOrder, func(id string) bool { return id == p.id })
	var paths []string
	for _, st := range p.stickers {
		if m := s.st.media[st.mediaID]; m != nil {
			paths = append(paths, m.path)
			delete(s.st.media, st.mediaID)
		}
	}
	s.mu.Unlock()
	for _, path := range paths {
		_ = os.Remove(path)
	}
	return gen.DeleteStickerpack200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// ListStickers lists the sticker indexes of a pack.
func (s *Server) ListStickers(_ context.Context, req gen.ListStickersRequestObject) (gen.ListStickersResponseObject, error) {
	if e := checkNamespace(req.Params.Namespace); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, e := s.packLocked(req.PackID, req.Params.Namespace)
	if e != nil {
		return nil, e
	}
	out := []gen.StickerIndex{}
	for _, st := range p.stickers {
		out = append(out, gen.StickerIndex{Index: st.index})
	}
	return gen.ListStickers200JSONResponse{Body: gen.StickerIndexesEnvelope{Stickers: out, Meta: s.meta}}, nil
}

// copyStickerMedia checks that id is a stored WebP and copies it as the sticker's own media.
func (s *Server) copyStickerMedia(id string) (*mediaFile, *apiError) {
	s.mu.RLock()
	src := s.st.media[id]
	s.mu.RUnlock()
	if src == nil {
		return nil, errf(codeNotFound, "Parameter 'image_data_id': media with id %s not found", id)
	}
	if src.kind != "sticker" {
		return nil, errf(codeInvalidParameter, "Parameter 'image_data_id': media %s is %s, not image/webp", id, src.contentType)
	}
	in, err := os.Open(src.path)
	if err != nil {
		return nil, errf(codeNotFound, "Parameter 'image_data_id': media with id %s not found", id)
	}
	defer in.Close()
	m, e := s.storeMedia(src.contentType, "sticker", in, src.size+1, src.sha256())
	if e != nil {
		return nil, e
	}
	return m, nil
}

// CreateSticker adds a sticker (a copy of an uploaded WebP) to a third-party pack.
func (s *Server) CreateSticker(_ context.Context, req gen.CreateStickerRequestObject) (gen.CreateStickerResponseObject, error) {
	if req.Body == nil || req.Body.ImageDataID == "" {
		return nil, errf(codeMissingParameter, "Parameter 'image_data_id' is required")
	}
	s.mu.RLock()
	_, e := s.packLocked(req.PackID, nil)
	s.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	m, e := s.copyStickerMedia(req.Body.ImageDataID)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.packLocked(req.PackID, nil)
	if e != nil {
		return nil, e
	}
	st := &sticker{index: strconv.Itoa(p.nextIndex), mediaID: m.id, imageDataID: req.Body.ImageDataID}
	if req.Body.Emojis != nil {
		st.emojis = slices.Clone(*req.Body.Emojis)
	}
	p.nextIndex++
	p.stickers = append(p.stickers, st)
	return gen.CreateSticker200JSONResponse{Body: gen.StickerIndexesEnvelope{Stickers: []gen.StickerIndex{{Index: st.index}}, Meta: s.meta}}, nil
}

// GetSticker returns a sticker's media id and emojis.
func (s *Server) GetSticker(_ context.Context, req gen.GetStickerRequestObject) (gen.GetStickerResponseObject, error) {
	if e := checkNamespace(req.Params.Namespace); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, e := s.packLocked(req.PackID, req.Params.Namespace)
	if e != nil {
		return nil, e
	}
	st := p.find(req.StickerID)
	if st == nil {
		return nil, errf(codeNotFound, "Sticker %s not found in stickerpack %s", req.StickerID, req.PackID)
	}
	out := gen.Sticker{ID: st.mediaID}
	if st.emojis != nil {
		out.Emojis = ptr(slices.Clone(st.emojis))
	}
	if !p.firstParty {
		out.ImageDataID = ptr(st.imageDataID)
	}
	return gen.GetSticker200JSONResponse{Body: gen.StickerEnvelope{Stickers: []gen.Sticker{out}, Meta: s.meta}}, nil
}

// UpdateSticker replaces the image and/or the emojis of a third-party sticker.
func (s *Server) UpdateSticker(_ context.Context, req gen.UpdateStickerRequestObject) (gen.UpdateStickerResponseObject, error) {
	b := req.Body
	if b == nil || (b.ImageDataID == nil && b.Emojis == nil) {
		return nil, errf(codeInvalidParameter, "No valid parameters provided")
	}
	s.mu.RLock()
	p, e := s.packLocked(req.PackID, nil)
	found := e == nil && p.find(req.StickerID) != nil
	s.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	if !found {
		return nil, errf(codeNotFound, "Sticker %s not found in stickerpack %s", req.StickerID, req.PackID)
	}
	var m *mediaFile
	if b.ImageDataID != nil {
		if m, e = s.copyStickerMedia(*b.ImageDataID); e != nil {
			return nil, e
		}
	}
	s.mu.Lock()
	var oldPath string
	if p, e = s.packLocked(req.PackID, nil); e == nil {
		if st := p.find(req.StickerID); st != nil {
			if m != nil {
				if old := s.st.media[st.mediaID]; old != nil {
					oldPath = old.path
					delete(s.st.media, st.mediaID)
				}
				st.mediaID, st.imageDataID = m.id, *b.ImageDataID
			}
			if b.Emojis != nil {
				st.emojis = slices.Clone(*b.Emojis)
			}
		}
	}
	s.mu.Unlock()
	if oldPath != "" {
		_ = os.Remove(oldPath)
	}
	return gen.UpdateSticker200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DeleteSticker removes a sticker from a third-party pack.
func (s *Server) DeleteSticker(_ context.Context, req gen.DeleteStickerRequestObject) (gen.DeleteStickerResponseObject, error) {
	s.mu.Lock()
	p, e := s.packLocked(req.PackID, nil)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	i := slices.IndexFunc(p.stickers, func(st *sticker) bool { return st.index == req.StickerID })
	if i < 0 {
		s.mu.Unlock()
		return nil, errf(codeNotFound, "Sticker %s not found in stickerpack %s", req.StickerID, req.PackID)
	}
	var path string
	if m := s.st.media[p.stickers[i].mediaID]; m != nil {
		path = m.path
		delete(s.st.media, m.id)
	}
	p.stickers = slices.Delete(p.stickers, i, i+1)
	s.mu.Unlock()
	if path != "" {
		_ = os.Remove(path)
	}
	return gen.DeleteSticker200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}
