// What the tile set-up costs per call: loading the configuration and releasing the tiles, and
// writing (or reading and writing) a 32x32 float32 tile of C as four 16x16 tiles.
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
typedef struct { uint8_t palette, start; uint8_t res[14]; uint16_t colsb[16]; uint8_t rows[16]; } cfg_t;
static double now(){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
  syscall(SYS_arch_prctl, 0x1023, 18);
  cfg_t c; memset(&c,0,64); c.palette=1;
  for(int i=0;i<8;i++){c.rows[i]=16;c.colsb[i]=64;}
  static float C[32][32];
  long n=2000000; double t=now();
  for(long i=0;i<n;i++){ _tile_loadconfig(&c); _tile_zero(0); _tile_release(); }
  t=now()-t; printf("cfg+zero+release: %.1f ns\n", t/n*1e9);
  t=now();
  for(long i=0;i<n;i++){ _tile_loadconfig(&c); _tile_zero(0); _tile_stored(0,C,128); _tile_release(); }
  t=now()-t; printf("cfg+zero+store+release: %.1f ns\n", t/n*1e9);
  _tile_loadconfig(&c); t=now();
  for(long i=0;i<n;i++){ _tile_zero(0); _tile_zero(1);_tile_zero(2);_tile_zero(3); _tile_stored(0,C,128);_tile_stored(1,&C[0][16],128);_tile_stored(2,&C[16][0],128);_tile_stored(3,&C[16][16],128);}
  t=now()-t; printf("zero4+store4 (configured): %.1f ns\n", t/n*1e9);
  t=now();
  for(long i=0;i<n;i++){ _tile_loadd(0,C,128); _tile_loadd(1,&C[0][16],128);_tile_loadd(2,&C[16][0],128);_tile_loadd(3,&C[16][16],128); _tile_stored(0,C,128);_tile_stored(1,&C[0][16],128);_tile_stored(2,&C[16][0],128);_tile_stored(3,&C[16][16],128);}
  t=now()-t; printf("load4+store4 (configured): %.1f ns\n", t/n*1e9);
  _tile_release();
  return 0;
}
